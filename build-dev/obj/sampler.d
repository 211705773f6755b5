build-dev/obj/sampler.o: src/sampler.c include/proftui/modcache.h \
 include/proftui/maps.h include/proftui/record.h include/proftui/perfev.h \
 include/proftui/unwind.h include/proftui/ptracer.h \
 include/proftui/sampler.h include/proftui/ring.h
