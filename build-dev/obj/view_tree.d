build-dev/obj/view_tree.o: src/view_tree.c include/proftui/keys.h \
 include/proftui/view.h include/proftui/canvas.h \
 include/proftui/profile.h include/proftui/record.h
