/* smtp_data - placeholder header: being written */
#ifndef SMTP_DATA_H
#define SMTP_DATA_H
#endif
