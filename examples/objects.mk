# Examples of the shared objects (queue, event, semaphore, lock, rlock,
# barrier object, condition, array), the pipe, the pool and the Manager
# containers; each says in its header how to run it. Included from examples/local.mk.
noinst_PROGRAMS += examples/prodcons examples/workers examples/event_start \
	examples/semaphore_cap examples/lock_file examples/rlock_log \
	examples/barrier_phases examples/condition_buffer examples/pipe_prodcons
noinst_PROGRAMS += examples/array_counters examples/pool_map examples/pool_async
examples_pool_map_SOURCES = examples/pool_map.c
examples_pool_map_LDADD = runtime/libmpr.la
examples_pool_async_SOURCES = examples/pool_async.c
examples_pool_async_LDADD = runtime/libmpr.la
noinst_PROGRAMS += examples/manager_dict
examples_manager_dict_SOURCES = examples/manager_dict.c
examples_manager_dict_LDADD = runtime/libmpr.la
examples_array_counters_SOURCES = examples/array_counters.c
examples_array_counters_LDADD = runtime/libmpr.la
examples_prodcons_SOURCES = examples/prodcons.c
examples_prodcons_LDADD = runtime/libmpr.la
examples_workers_SOURCES = examples/workers.c
examples_workers_LDADD = runtime/libmpr.la
examples_event_start_SOURCES = examples/event_start.c
examples_event_start_LDADD = runtime/libmpr.la
examples_semaphore_cap_SOURCES = examples/semaphore_cap.c
examples_semaphore_cap_LDADD = runtime/libmpr.la
examples_lock_file_SOURCES = examples/lock_file.c
examples_lock_file_LDADD = runtime/libmpr.la
examples_rlock_log_SOURCES = examples/rlock_log.c
examples_rlock_log_LDADD = runtime/libmpr.la
examples_barrier_phases_SOURCES = examples/barrier_phases.c
examples_barrier_phases_LDADD = runtime/libmpr.la
examples_condition_buffer_SOURCES = examples/condition_buffer.c
examples_condition_buffer_LDADD = runtime/libmpr.la
examples_pipe_prodcons_SOURCES = examples/pipe_prodcons.c
examples_pipe_prodcons_LDADD = runtime/libmpr.la
