build-dev/obj/ui.o: src/ui.c include/proftui/feed.h \
 include/proftui/profile.h include/proftui/record.h \
 include/proftui/resolve.h include/proftui/ring.h include/proftui/keys.h \
 include/proftui/term.h include/proftui/canvas.h include/proftui/ui.h \
 include/proftui/sampler.h include/proftui/target.h \
 include/proftui/view.h
