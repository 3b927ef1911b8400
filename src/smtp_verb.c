/* placeholder: being written */
typedef int smtp_verb_placeholder_;
