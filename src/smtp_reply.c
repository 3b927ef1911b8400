/* placeholder: being written */
typedef int smtp_reply_placeholder_;
