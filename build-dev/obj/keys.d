build-dev/obj/keys.o: src/keys.c include/proftui/keys.h
