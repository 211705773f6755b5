build-dev/obj/batch.o: src/batch.c include/proftui/batch.h \
 include/proftui/profile.h include/proftui/record.h \
 include/proftui/ring.h include/proftui/sampler.h \
 include/proftui/target.h include/proftui/feed.h \
 include/proftui/resolve.h include/proftui/report.h
