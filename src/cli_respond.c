/* placeholder: being written */
typedef int cli_respond_placeholder_;
