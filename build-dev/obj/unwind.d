build-dev/obj/unwind.o: src/unwind.c include/proftui/unwind.h \
 include/proftui/modcache.h include/proftui/maps.h \
 include/proftui/record.h
