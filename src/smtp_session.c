/* placeholder: being written */
typedef int smtp_session_placeholder_;
