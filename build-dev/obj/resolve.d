build-dev/obj/resolve.o: src/resolve.c include/proftui/perfmap.h \
 include/proftui/resolve.h include/proftui/profile.h \
 include/proftui/record.h include/proftui/symbols.h
