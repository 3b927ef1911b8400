/* placeholder: being written */
typedef int smtp_data_placeholder_;
