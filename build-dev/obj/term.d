build-dev/obj/term.o: src/term.c include/proftui/keys.h \
 include/proftui/term.h include/proftui/canvas.h
