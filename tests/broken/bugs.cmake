# The deliberately broken responders: one row per bug, "<bug>=<what reproduce.sh must print>".
# <bug> is the lower-case name of the -DBROKEN_<BUG> macro of mini_responder.c and the
# suffix of the fuzz target fuzz_session_broken_<bug>; the pattern is the oracle rule id
# (fuzz/oracle.h) or the sanitizer report the bug must produce, an extended regular
# expression. long_twice lists three ids because the oracle pairs replies with lines in
# order: the extra 500 shows up as the reply to whatever line follows the over-long one
# (a command: r1-500-for-command; HELP: r1-help-not-214; nothing: r3-extra-reply). Read by
# tests/broken/CMakeLists.txt (the builds), tests/broken.cmake (the ctest cases) and
# scripts/lib.sh (which target names the scripts accept).
set(SMTPFUZZ_BROKEN_BUGS
  "bare_lf=r1-malformed-not-500"
  "line_511=r1-malformed-not-500"
  "help_case=r1-help-not-214"
  "long_twice=r3-extra-reply|r1-500-for-command|r1-help-not-214"
  "echo_raw=r2-bad-reply"
  "data_lf_dot_lf=r5-data-end"
  "heap_overflow=heap-buffer-overflow"
  "help_250=r1-help-not-214"
)
