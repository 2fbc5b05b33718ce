using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Runtime.CompilerServices;

namespace VoiceBridge.Tests.Support;

/// <summary>
/// With <c>VB_STALL_LOG=FILE</c> in the environment, the test process logs to FILE what can stall a
/// real-time test: a pool work item waiting over 200 ms to run (starvation: pool threads blocked), a
/// dedicated thread waking over 200 ms late (the whole process held up), GC pauses over 100 ms and the
/// pool's starvation injections. Off (nothing started) without the variable.
/// </summary>
internal static class StallProbe
{
    private static readonly object Gate = new();
    private static StreamWriter? _log;
    private static Listener? _listener;

    [ModuleInitializer]
    internal static void Start()
    {
        var path = Environment.GetEnvironmentVariable("VB_STALL_LOG");
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        _log = new StreamWriter(path, append: true) { AutoFlush = true };
        _listener = new Listener();

        // The probe's beat is a bounded wait on the event that ends it with the process.
        var stop = new ManualResetEventSlim();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Set();
        var thread = new Thread(() =>
        {
            var clock = Stopwatch.StartNew();
            while (!stop.IsSet)
            {
                var before = clock.ElapsedMilliseconds;
                if (stop.Wait(50))
                {
                    return;
                }

                var late = clock.ElapsedMilliseconds - before - 50;
                if (late > 200)
                {
                    Write($"thread late {late} ms");
                }

                var queued = clock.ElapsedMilliseconds;
                ThreadPool.UnsafeQueueUserWorkItem(_ =>
                {
                    var wait = clock.ElapsedMilliseconds - queued;
                    if (wait > 200)
                    {
                        Write($"pool item waited {wait} ms (threads {ThreadPool.ThreadCount}, pending {ThreadPool.PendingWorkItemCount})");
                    }
                }, null);
            }
        }) { IsBackground = true, Name = "stall probe" };
        thread.Start();
    }

    internal static void Write(string line)
    {
        lock (Gate)
        {
            _log?.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
        }
    }

    private sealed class Listener : EventListener
    {
        private DateTime _suspend;

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(source, EventLevel.Informational, (EventKeywords)(0x1 | 0x10000));
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventId == 9)
            {
                _suspend = e.TimeStamp;
            }
            else if (e.EventId == 3 && _suspend != default)
            {
                var pause = (e.TimeStamp - _suspend).TotalMilliseconds;
                if (pause > 100)
                {
                    Write($"GC pause {pause:0} ms");
                }
            }
            else if (e.EventId == 55 && e.Payload is { Count: > 2 } p && Convert.ToUInt32(p[2]) == 6)
            {
                Write($"thread pool starvation: now {p[1]} workers");
            }
        }
    }
}
