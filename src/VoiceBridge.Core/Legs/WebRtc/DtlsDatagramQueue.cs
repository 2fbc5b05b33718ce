using Org.BouncyCastle.Tls;

namespace VoiceBridge.Legs.WebRtc;

/// <summary>
/// Adapts the demultiplexed UDP socket to BouncyCastle's blocking <see cref="DatagramTransport"/>: datagrams from
/// the receive loop wait in a bounded queue (the oldest is dropped and counted on overflow, so a flood costs a
/// retransmission, never memory) until the DTLS thread takes them; what BouncyCastle sends goes straight to the
/// send callback. <see cref="StopReceiving"/> makes a blocked receive end with an <see cref="IOException"/>, which
/// aborts a handshake in progress (BouncyCastle swallows its own timeout exception and would keep polling).
/// </summary>
internal sealed class DtlsDatagramQueue : DatagramTransport
{
    /// <summary>Queued datagrams: a handshake flight is a handful; more means a flood.</summary>
    public const int Capacity = 32;

    /// <summary>Larger than any DTLS datagram a browser sends (they keep under the path MTU).</summary>
    public const int ReceiveLimit = 2048;

    /// <summary>Handshake messages are fragmented to fit: 1200 bytes passes every path WebRTC runs over.</summary>
    public const int SendLimit = 1200;

    private readonly Queue<byte[]> _queue = new();
    private readonly Action<byte[]> _send;
    private bool _receiveStopped;
    private bool _closed;
    private long _overflowed;

    public DtlsDatagramQueue(Action<byte[]> send) => _send = send;

    /// <summary>Datagrams dropped because the queue was full.</summary>
    public long Overflowed => Interlocked.Read(ref _overflowed);

    /// <summary>Queues a copy of a datagram for the DTLS thread; false once receiving has stopped.</summary>
    public bool Enqueue(ReadOnlySpan<byte> datagram)
    {
        byte[] copy = datagram.ToArray();
        lock (_queue)
        {
            if (_receiveStopped)
            {
                return false;
            }

            if (_queue.Count == Capacity)
            {
                _queue.Dequeue();
                Interlocked.Increment(ref _overflowed);
            }

            _queue.Enqueue(copy);
            Monitor.Pulse(_queue);
            return true;
        }
    }

    /// <summary>Wakes a blocked receive and refuses further datagrams; sending still works.</summary>
    public void StopReceiving()
    {
        lock (_queue)
        {
            _receiveStopped = true;
            _queue.Clear();
            Monitor.PulseAll(_queue);
        }
    }

    public int GetReceiveLimit() => ReceiveLimit;

    public int GetSendLimit() => SendLimit;

    public int Receive(byte[] buf, int off, int len, int waitMillis) => Receive(buf.AsSpan(off, len), waitMillis);

    /// <summary>Waits up to <paramref name="waitMillis"/> (0 = forever, as BouncyCastle defines it); -1 when none came.</summary>
    public int Receive(Span<byte> buffer, int waitMillis)
    {
        lock (_queue)
        {
            if (_queue.Count == 0 && !_receiveStopped)
            {
                Monitor.Wait(_queue, waitMillis == 0 ? Timeout.Infinite : waitMillis);
            }

            if (_receiveStopped)
            {
                throw new IOException("DTLS receive stopped: the server was cancelled or disposed");
            }

            if (!_queue.TryDequeue(out byte[]? datagram))
            {
                return -1;
            }

            int length = Math.Min(buffer.Length, datagram.Length);
            datagram.AsSpan(0, length).CopyTo(buffer);
            return length;
        }
    }

    public void Send(byte[] buf, int off, int len) => Send(buf.AsSpan(off, len));

    /// <summary>Hands a copy to the send callback; a callback failure becomes the IOException BouncyCastle expects.</summary>
    public void Send(ReadOnlySpan<byte> buffer)
    {
        if (Volatile.Read(ref _closed))
        {
            return;
        }

        try
        {
            _send(buffer.ToArray());
        }
        catch (Exception e) when (e is not IOException)
        {
            throw new IOException($"sending a DTLS datagram failed: {e.Message}", e);
        }
    }

    /// <summary>Called by BouncyCastle when the connection ends: nothing more is sent or received.</summary>
    public void Close()
    {
        Volatile.Write(ref _closed, true);
        StopReceiving();
    }
}
