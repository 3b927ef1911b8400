/* placeholder: being written */
typedef int smtp_line_placeholder_;
