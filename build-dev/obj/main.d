build-dev/obj/main.o: src/main.c include/proftui/batch.h \
 include/proftui/profile.h include/proftui/record.h \
 include/proftui/ring.h include/proftui/sampler.h \
 include/proftui/target.h include/proftui/ui.h
