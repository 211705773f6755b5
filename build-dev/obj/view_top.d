build-dev/obj/view_top.o: src/view_top.c include/proftui/keys.h \
 include/proftui/sanitize.h include/proftui/view.h \
 include/proftui/canvas.h include/proftui/profile.h \
 include/proftui/record.h
