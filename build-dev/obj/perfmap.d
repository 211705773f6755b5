build-dev/obj/perfmap.o: src/perfmap.c include/proftui/perfmap.h
