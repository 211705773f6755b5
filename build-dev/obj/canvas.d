build-dev/obj/canvas.o: src/canvas.c include/proftui/canvas.h \
 include/proftui/sanitize.h
