build-dev/obj/modcache.o: src/modcache.c include/proftui/modcache.h \
 include/proftui/maps.h include/proftui/record.h
