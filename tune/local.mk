# mpr-tune: measures every collective algorithm on this host and writes the
# tuning file libmpr reads (runtime/coll/coll_tune.c). The script drives
# mprun; the measuring program it runs lives in pkglibexecdir.
pkglibexec_PROGRAMS = mpr-tune-measure
mpr_tune_measure_SOURCES = tune/measure.c
mpr_tune_measure_LDADD = runtime/libmpr.la

bin_SCRIPTS += mpr-tune
CLEANFILES += mpr-tune
EXTRA_DIST += tune/mpr-tune.in
mpr-tune: $(srcdir)/tune/mpr-tune.in Makefile
	$(AM_V_GEN)sed -e 's|@pkglibexecdir[@]|$(pkglibexecdir)|g' \
	  -e 's|@bindir[@]|$(bindir)|g' -e 's|@PACKAGE_VERSION[@]|$(PACKAGE_VERSION)|g' \
	  $(srcdir)/tune/mpr-tune.in > $@.tmp && chmod +x $@.tmp && mv $@.tmp $@
