/* target_reference - the default adapter: fuzz_session drives the reference responder */
#include "fuzz_target.h"
#include "smtp_session.h"

const struct smtp_target *const smtpfuzz_target = &smtp_session_target;
