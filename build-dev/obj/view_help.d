build-dev/obj/view_help.o: src/view_help.c include/proftui/keys.h \
 include/proftui/view.h include/proftui/canvas.h \
 include/proftui/profile.h include/proftui/record.h
