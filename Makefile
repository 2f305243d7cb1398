# ssh-oauth: one Makefile for the shared core, both programs and the tests.
# Honours CC, CFLAGS, CPPFLAGS, LDFLAGS, PREFIX, DESTDIR; warnings live in
# WARNFLAGS so CI can add -Werror without touching CFLAGS.

CC	?= cc
PREFIX	?= /usr/local
DESTDIR	?=
BINDIR	 = $(PREFIX)/bin
LIBEXEC	 = $(PREFIX)/libexec/ssh-oauth
MANDIR	 = $(PREFIX)/share/man
SYSCONF	?= /etc/ssh-oauth

CFLAGS	?= -O2 -g
WARNFLAGS ?= -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wpointer-arith -Wwrite-strings \
	-Wimplicit-fallthrough -Wsign-compare -Wvla
HARDEN	?= -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
PKGS	 = libcurl json-c libsodium openssl libqrencode
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ifdef WERROR
WARNFLAGS += -Werror
endif
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -Icommon $(PKG_CFLAGS) $(WARNFLAGS) \
	$(HARDEN) $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS = -pie -Wl,-z,relro,-z,now $(LDFLAGS)

COMMON_OBJS = common/b64.o common/buf.o common/claims.o common/config.o \
	common/err.o common/http.o common/jsonx.o common/jwk.o common/jws.o \
	common/log.o common/sshcert.o common/url.o common/util.o
HELPER_OBJS = ssh-helper/main.o ssh-helper/cache.o ssh-helper/device.o \
	ssh-helper/keys.o ssh-helper/agent.o ssh-helper/prompt.o \
	ssh-helper/profile.o ssh-helper/tokens.o ssh-helper/dpop.o
# The login path links no libcurl (it costs milliseconds per start);
# the fetch program beside it does the HTTP.
AKC_OBJS = authkeys-cmd/main.o authkeys-cmd/akc-config.o \
	authkeys-cmd/akc-policy.o authkeys-cmd/akc-decide.o \
	authkeys-cmd/akc-spawn.o
FETCH_OBJS = authkeys-cmd/fetch-main.o authkeys-cmd/akc-config.o \
	authkeys-cmd/akc-refresh.o
AKC_LIB_OBJS = $(filter-out authkeys-cmd/main.o,$(AKC_OBJS)) \
	authkeys-cmd/akc-refresh.o
AKC_PKGS = json-c libsodium libcrypto
AKC_LIBS := $(shell pkg-config --libs $(AKC_PKGS) 2>/dev/null)
UNIT_TESTS = tests/unit/test-b64 tests/unit/test-sshcert tests/unit/test-jws \
	tests/unit/test-policy tests/unit/test-jsonx

FUZZ_TARGETS = tests/fuzz/fuzz-jws tests/fuzz/fuzz-sshcert \
	tests/fuzz/fuzz-policy

HELPER	= ssh-helper/ssh-oauth
AKC	= authkeys-cmd/ssh-oauth-authkeys
FETCH	= authkeys-cmd/ssh-oauth-authkeys-fetch

all: $(HELPER) $(AKC) $(FETCH) $(UNIT_TESTS)

common/libcommon.a: $(COMMON_OBJS)
	$(AR) rcs $@ $(COMMON_OBJS)

%.o: %.c common/*.h authkeys-cmd/akc.h ssh-helper/helper.h
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(HELPER): $(HELPER_OBJS) common/libcommon.a
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(HELPER_OBJS) \
	    common/libcommon.a $(PKG_LIBS) -lm

$(AKC): $(AKC_OBJS) common/libcommon.a
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(AKC_OBJS) \
	    common/libcommon.a $(AKC_LIBS) -lm

$(FETCH): $(FETCH_OBJS) common/libcommon.a
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(FETCH_OBJS) \
	    common/libcommon.a $(PKG_LIBS) -lm

tests/unit/test-%: tests/unit/test-%.c tests/unit/unit.h $(AKC_LIB_OBJS) \
    common/libcommon.a
	$(CC) $(ALL_CFLAGS) -Iauthkeys-cmd $(ALL_LDFLAGS) -o $@ $< \
	    $(AKC_LIB_OBJS) common/libcommon.a $(PKG_LIBS) -lm

# libFuzzer targets; build them with clang and -fsanitize=fuzzer-no-link
# in CFLAGS, as tests/fuzz/run.sh does.
tests/fuzz/fuzz-%: tests/fuzz/fuzz-%.c $(AKC_LIB_OBJS) common/libcommon.a
	$(CC) $(ALL_CFLAGS) -Iauthkeys-cmd -fsanitize=fuzzer $(ALL_LDFLAGS) \
	    -o $@ $< $(AKC_LIB_OBJS) common/libcommon.a $(PKG_LIBS) -lm

fuzz-targets: $(FUZZ_TARGETS)

# make fuzz FUZZ_TIME=600: fuzz each target that long, growing the corpus.
FUZZ_TIME ?= 300
fuzz:
	@FUZZ_KEEP=1 tests/fuzz/run.sh $(FUZZ_TIME)

# make check: the style rules, every unit test, the end-to-end suite on
# real sshd, ssh and the test identity provider, then the gates (clang
# with -Werror, ASan+UBSan, valgrind) and a short fuzzing run.
# T=name runs only the matching tests, without the gates.
FUZZ_CHECK_TIME ?= 15
check: deps
	@$(MAKE) -s --no-print-directory all
	@tests/check-style.sh
	@FUZZ_CHECK_TIME=$(FUZZ_CHECK_TIME) tests/run-tests.sh $(T)

unit: $(UNIT_TESTS)
	@tests/run-tests.sh unit

gates:
	@tests/gates.sh

# make stress: load and fault scenarios on the end-to-end rig (root,
# about 3.5 minutes); see tests/stress/run.sh.
stress:
	@tests/stress/run.sh

check-style:
	@tests/check-style.sh

demo: deps
	@$(MAKE) -s --no-print-directory all
	@tests/demo.sh

deps:
	@tests/install-deps.sh

# Programs, man pages, documentation and the systemd, sysusers and
# tmpfiles files; example configuration only where none exists yet.
# The installed units and snippet name the command where it really is.
SYSTEMDDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
DOCDIR	?= $(PREFIX)/share/doc/ssh-oauth
FIXPATH	 = sed -e 's|/usr/\(local/\)\{0,1\}libexec/ssh-oauth|$(LIBEXEC)|g'

install: $(HELPER) $(AKC) $(FETCH)
	install -d -m 0755 $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXEC) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DOCDIR) \
	    $(DESTDIR)$(SYSTEMDDIR) $(DESTDIR)$(SYSUSERSDIR) \
	    $(DESTDIR)$(TMPFILESDIR)
	install -m 0755 $(HELPER) $(DESTDIR)$(BINDIR)/ssh-oauth
	install -m 0755 $(AKC) $(DESTDIR)$(LIBEXEC)/ssh-oauth-authkeys
	install -m 0755 $(FETCH) $(DESTDIR)$(LIBEXEC)/ssh-oauth-authkeys-fetch
	install -m 0644 docs/ssh-oauth.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 docs/ssh-oauth.conf.5 docs/ssh-oauth-authkeys.conf.5 \
	    docs/ssh-oauth-policy.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 docs/ssh-oauth-authkeys.8 $(DESTDIR)$(MANDIR)/man8/
	echo '.so man8/ssh-oauth-authkeys.8' > \
	    $(DESTDIR)$(MANDIR)/man8/ssh-oauth-authkeys-fetch.8
	install -m 0644 README.md docs/user-guide.md docs/KNOWN_BUGS.md \
	    contrib/authkeys.conf.example contrib/policy.example \
	    $(DESTDIR)$(DOCDIR)/
	install -d -m 0755 $(DESTDIR)$(DOCDIR)/sshd_config.d
	$(FIXPATH) contrib/sshd_config.d/ssh-oauth.conf > \
	    $(DESTDIR)$(DOCDIR)/sshd_config.d/ssh-oauth.conf
	for f in ssh-oauth-refresh.service ssh-oauth-refresh.timer; do \
	    $(FIXPATH) contrib/systemd/$$f > $(DESTDIR)$(SYSTEMDDIR)/$$f && \
	    chmod 0644 $(DESTDIR)$(SYSTEMDDIR)/$$f || exit 1; \
	done
	install -m 0644 contrib/sysusers.d/ssh-oauth.conf \
	    $(DESTDIR)$(SYSUSERSDIR)/ssh-oauth.conf
	install -m 0644 contrib/tmpfiles.d/ssh-oauth.conf \
	    $(DESTDIR)$(TMPFILESDIR)/ssh-oauth.conf
	install -d -m 0755 $(DESTDIR)$(SYSCONF)
	for f in authkeys.conf policy; do \
	    test -e $(DESTDIR)$(SYSCONF)/$$f || \
	    install -m 0644 contrib/$$f.example $(DESTDIR)$(SYSCONF)/$$f; \
	done

# Everything install put there but the configuration in $(SYSCONF).
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/ssh-oauth \
	    $(DESTDIR)$(LIBEXEC)/ssh-oauth-authkeys \
	    $(DESTDIR)$(LIBEXEC)/ssh-oauth-authkeys-fetch \
	    $(DESTDIR)$(MANDIR)/man1/ssh-oauth.1 \
	    $(DESTDIR)$(MANDIR)/man5/ssh-oauth.conf.5 \
	    $(DESTDIR)$(MANDIR)/man5/ssh-oauth-authkeys.conf.5 \
	    $(DESTDIR)$(MANDIR)/man5/ssh-oauth-policy.5 \
	    $(DESTDIR)$(MANDIR)/man8/ssh-oauth-authkeys.8 \
	    $(DESTDIR)$(MANDIR)/man8/ssh-oauth-authkeys-fetch.8 \
	    $(DESTDIR)$(SYSTEMDDIR)/ssh-oauth-refresh.service \
	    $(DESTDIR)$(SYSTEMDDIR)/ssh-oauth-refresh.timer \
	    $(DESTDIR)$(SYSUSERSDIR)/ssh-oauth.conf \
	    $(DESTDIR)$(TMPFILESDIR)/ssh-oauth.conf
	rm -rf $(DESTDIR)$(DOCDIR)
	-rmdir $(DESTDIR)$(LIBEXEC)
	@echo "left in place: $(DESTDIR)$(SYSCONF)"

# Build the Debian packages, install them, log in through them, purge
# them. Slow and needs root, so not part of check.
package-check:
	@tests/package/build-and-login.sh

clean:
	rm -f common/*.o common/libcommon.a ssh-helper/*.o authkeys-cmd/*.o \
	    $(HELPER) $(AKC) $(FETCH) $(UNIT_TESTS) $(FUZZ_TARGETS)

.PHONY: all check unit check-style demo deps install clean fuzz \
	fuzz-targets gates uninstall package-check stress
