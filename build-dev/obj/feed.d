build-dev/obj/feed.o: src/feed.c include/proftui/feed.h \
 include/proftui/profile.h include/proftui/record.h \
 include/proftui/resolve.h include/proftui/ring.h
