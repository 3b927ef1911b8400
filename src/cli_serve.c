/* placeholder: being written */
typedef int cli_serve_placeholder_;
