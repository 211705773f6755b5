build-dev/obj/report.o: src/report.c include/proftui/report.h \
 include/proftui/profile.h include/proftui/record.h \
 include/proftui/sanitize.h
