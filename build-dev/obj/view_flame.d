build-dev/obj/view_flame.o: src/view_flame.c include/proftui/keys.h \
 include/proftui/view.h include/proftui/canvas.h \
 include/proftui/profile.h include/proftui/record.h
