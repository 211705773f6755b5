build-dev/obj/target.o: src/target.c include/proftui/target.h
