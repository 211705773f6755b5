build-dev/obj/symbols.o: src/symbols.c include/proftui/symbols.h
