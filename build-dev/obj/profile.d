build-dev/obj/profile.o: src/profile.c include/proftui/profile.h \
 include/proftui/record.h
