# Man pages of the commands, in man(7) roff: make install puts them in
# $(man1dir); tests/integration/install.sh checks they render without
# warnings and that mprun.1 names every option of mprun --help.
dist_man_MANS = man/mprun.1 man/mprcc.1
