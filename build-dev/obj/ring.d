build-dev/obj/ring.o: src/ring.c include/proftui/ring.h
