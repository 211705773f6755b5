build-dev/obj/maps.o: src/maps.c include/proftui/maps.h
