build-dev/obj/sanitize.o: src/sanitize.c include/proftui/sanitize.h
