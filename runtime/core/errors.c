/* errors.c - names and descriptions of the MPR_* codes, from MPR_ERROR_LIST. */
#include "mpr.h"

const char *mpr_strerror(int err)
{
    switch (err) {
#define MPR__ERROR_TEXT(name, value, text) case value: return text;
        MPR_ERROR_LIST(MPR__ERROR_TEXT)
#undef MPR__ERROR_TEXT
    }
    return "unknown error";
}

const char *mpr_error_name(int err)
{
    switch (err) {
#define MPR__ERROR_NAME(name, value, text) case value: return #name;
        MPR_ERROR_LIST(MPR__ERROR_NAME)
#undef MPR__ERROR_NAME
    }
    return "MPR_ERR_UNKNOWN";
}
