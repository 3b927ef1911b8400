/* placeholder: being written */
typedef int smtp_reply_parse_placeholder_;
