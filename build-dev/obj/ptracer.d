build-dev/obj/ptracer.o: src/ptracer.c include/proftui/ptracer.h \
 include/proftui/record.h
