using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace VoiceBridge.Audit;

/// <summary>
/// What every audit store shares: <see cref="Record"/> only queues (a bounded channel; an overflow
/// is counted and logged, never silent), one background writer hands the store batches of up to
/// <see cref="BatchSize"/> events, and <see cref="DisposeAsync"/> drains the queue, so a clean stop
/// loses nothing. A batch the store refuses is counted in <see cref="Failed"/> and logged.
/// </summary>
public abstract partial class QueuedAuditLog : IAuditLog, IAsyncDisposable
{
    /// <summary>The most events handed to <see cref="WriteAsync"/> at once.</summary>
    protected const int BatchSize = 256;

    private readonly Channel<AuditEvent> _queue;
    private readonly ILogger _logger;
    private readonly Task _writer;
    private long _dropped;
    private long _failed;
    private volatile bool _closing;

    /// <summary>
    /// Starts the writer. It calls <see cref="WriteAsync"/> only for recorded events, and none can be
    /// recorded before the derived constructor has finished.
    /// </summary>
    protected QueuedAuditLog(string location, ILogger? logger, int capacity)
    {
        Location = location;
        _logger = logger ?? NullLogger.Instance;
        _queue = Channel.CreateBounded<AuditEvent>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Where the events go, for logs and the console (a path, or a server and database; never a password).</summary>
    public string Location { get; }

    /// <summary>Events refused because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Events lost because the store refused a batch.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>True from the open until <see cref="DisposeAsync"/> begins, while the writer runs (a node's readiness needs it).</summary>
    public bool IsOpen => !_closing && !_writer.IsCompleted;

    /// <summary>Queues the event; never blocks.</summary>
    public void Record(AuditEvent auditEvent)
    {
        if (_queue.Writer.TryWrite(auditEvent))
        {
            return;
        }

        var dropped = Interlocked.Increment(ref _dropped);
        if (dropped == 1 || dropped % 1000 == 0)
        {
            Log.QueueFull(_logger, auditEvent.Kind, auditEvent.CallId, dropped);
        }
    }

    /// <summary>Stops taking events, writes everything queued, closes the store.</summary>
    public async ValueTask DisposeAsync()
    {
        _closing = true;
        _queue.Writer.TryComplete();
        await _writer;
        await CloseAsync();
        if (Dropped > 0 || Failed > 0)
        {
            Log.ClosedWithLosses(_logger, Location, Dropped, Failed);
        }
    }

    /// <summary>Writes one batch, in order, all or nothing. An exception counts the batch as failed (logged); the writer goes on.</summary>
    protected abstract Task WriteAsync(IReadOnlyList<AuditEvent> batch);

    /// <summary>Releases the store once the queue is drained.</summary>
    protected abstract ValueTask CloseAsync();

    private async Task WriteLoopAsync()
    {
        var batch = new List<AuditEvent>(BatchSize);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < BatchSize && _queue.Reader.TryRead(out var auditEvent))
            {
                batch.Add(auditEvent);
            }

            try
            {
                await WriteAsync(batch);
            }
            catch (Exception e)
            {
                Interlocked.Add(ref _failed, batch.Count);
                Log.WriteFailed(_logger, e, Location, batch.Count);
            }

            batch.Clear();
        }
    }
}
