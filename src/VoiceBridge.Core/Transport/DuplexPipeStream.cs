namespace VoiceBridge.Transport;

/// <summary>
/// One end of an in-memory duplex byte stream. A read that has to wait is completed through the
/// <see cref="SynchronizationContext"/> captured when the pair was made (the virtual-time loop),
/// never on an arbitrary thread, so a whole call over these streams runs deterministically on one
/// thread; without a context, reads complete on the writer's thread.
/// </summary>
internal sealed class DuplexPipeStream : Stream
{
    private readonly InMemoryByteQueue _in;
    private readonly InMemoryByteQueue _out;

    private DuplexPipeStream(InMemoryByteQueue input, InMemoryByteQueue output)
    {
        _in = input;
        _out = output;
    }

    public static (DuplexPipeStream A, DuplexPipeStream B) CreatePair()
    {
        var context = SynchronizationContext.Current;
        var ab = new InMemoryByteQueue(context);
        var ba = new InMemoryByteQueue(context);
        return (new DuplexPipeStream(ba, ab), new DuplexPipeStream(ab, ba));
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("in-memory streams are read asynchronously");

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _in.ReadAsync(buffer, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => Send(buffer.AsSpan(offset, count));

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Send(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Send(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _out.Complete();
            _in.Complete();
        }

        base.Dispose(disposing);
    }

    private void Send(ReadOnlySpan<byte> data)
    {
        if (!_out.Write(data))
        {
            throw new IOException("the other end of the in-memory stream is closed");
        }
    }
}
