build-dev/obj/perfev.o: src/perfev.c include/proftui/perfev.h \
 include/proftui/unwind.h include/proftui/modcache.h \
 include/proftui/maps.h include/proftui/record.h
