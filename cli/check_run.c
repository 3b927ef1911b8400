/*
 * check_run - one client stream against the target, judged (contract in
 * check.h): the split run of rule r4, shared by the check loop and
 * --minimize.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"

enum oracle_rule check_split_run(struct check *ck, const uint8_t *in, size_t len,
                                 enum ext_mode mode, const size_t *cuts, size_t ncuts,
                                 struct oracle_profile_result *pr, enum ext_error *err)
{
    struct ext_options eo = ck->a.eo;
    size_t whole_len = ck->run->replies_len;
    enum oracle_rule rule;
    char why[sizeof pr->v.detail];

    memcpy(ck->whole, ck->replies, whole_len);
    eo.mode = mode;
    eo.cuts = cuts;
    eo.ncuts = ncuts;
    eo.cut_pause_ms = SESSION_CUT_PAUSE_MS;
    *err = ext_run(&ck->target, &eo, (const char *)in, len, ck->replies, CHECK_REPLY_MAX, ck->run);
    if (*err != EXT_ERR_NONE)
        return ORACLE_OK;
    rule = session_judge(ck->run, ck->a.profile, (const char *)in, len, pr);
    if (ck->run->outcome == EXT_CRASH || ck->run->outcome == EXT_MEMORY)
        return rule; /* a crash is a crash, however the octets came */
    if (session_split_compare(ck->whole, whole_len, ck->replies, ck->run->replies_len, why,
                              sizeof why)) {
        snprintf(pr->v.detail, sizeof pr->v.detail, "%s", why);
        pr->v.line_len = 0;
        pr->v.reply_len = 0;
        return ORACLE_SPLIT_CHANGED;
    }
    return rule;
}

enum oracle_rule check_run_input(struct check *ck, const uint8_t *in, size_t len,
                                 enum ext_mode mode, const size_t *cuts, size_t ncuts,
                                 struct oracle_profile_result *pr, enum ext_error *err)
{
    struct ext_options eo = ck->a.eo;
    enum oracle_rule rule;

    eo.mode = mode;
    *err = ext_run(&ck->target, &eo, (const char *)in, len, ck->replies, CHECK_REPLY_MAX, ck->run);
    if (*err != EXT_ERR_NONE)
        return ORACLE_OK;
    rule = session_judge(ck->run, ck->a.profile, (const char *)in, len, pr);
    if (rule == ORACLE_OK && ncuts > 0)
        rule = check_split_run(ck, in, len, mode, cuts, ncuts, pr, err);
    return rule;
}
