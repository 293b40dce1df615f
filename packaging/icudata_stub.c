/* ICU's common data with no entries, in the layout of ICU's own "stubdata" library, to stand in for
 * PySide6's 31 MB libicudata. Qt6Core links ICU, but the app uses none of what needs ICU's data
 * (locale-aware collation, time-zone display names, legacy text codecs); case mapping and Unicode
 * properties are compiled into libicuuc itself. build: see packaging/slim.py. */
#ifndef ICU_DATA_SYMBOL
#error "define ICU_DATA_SYMBOL as icudt<major>_dat, the symbol libicuuc looks up"
#endif

struct icu_data_header {
    unsigned short header_size;
    unsigned char magic1, magic2;
    struct {
        unsigned short size, reserved_word;
        unsigned char is_big_endian, charset_family, sizeof_uchar, reserved_byte;
        unsigned char data_format[4], format_version[4], data_version[4];
    } info;
    char padding[8];
    unsigned int count, reserved;
    unsigned int toc[4]; /* no entries: count is 0 */
};

__attribute__((visibility("default"))) const struct icu_data_header ICU_DATA_SYMBOL = {
    32, 0xda, 0x27,
    /* little-endian, ASCII family, 2-byte UChar, "ToCP": a table of contents */
    {20, 0, 0, 0, 2, 0, {'T', 'o', 'C', 'P'}, {1, 0, 0, 0}, {0, 0, 0, 0}},
    {0}, 0, 0, {0, 0, 0, 0},
};
