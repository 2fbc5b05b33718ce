using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Org.BouncyCastle.Tls;

namespace VoiceBridge.Legs.WebRtc;

/// <summary>
/// The DTLS 1.2 server side of a WebRTC DTLS-SRTP handshake (RFC 5763/5764), answering <c>a=setup:passive</c>.
/// BouncyCastle's <see cref="DtlsServerProtocol"/> blocks, so it runs on a dedicated background thread that reads
/// from a bounded queue fed by <see cref="OnDatagram"/> and writes through the <c>send</c> callback. After the
/// handshake the thread stays to answer a client that retransmits its last flight (our final flight was lost)
/// and to notice close_notify; <see cref="Dispose"/> makes it say close_notify and end.
/// </summary>
public sealed partial class DtlsSrtpServer : IDisposable
{
    /// <summary>How often the post-handshake loop looks for <see cref="Dispose"/>: it bounds how late close_notify goes out.</summary>
    private const int PollMillis = 250;

    private readonly DtlsSrtpTlsServer _tls;
    private readonly DtlsDatagramQueue _queue;
    private readonly ILogger _logger;
    private readonly TimeSpan _handshakeTimeout;
    private readonly TaskCompletionSource<DtlsSrtpKeys> _handshake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenRegistration _cancellation;
    private long _malformed;
    private int _started;
    private volatile bool _disposed;

    /// <param name="certificate">Ours; its fingerprint is in our SDP answer.</param>
    /// <param name="send">Puts one DTLS datagram on the wire to the ICE-selected address; called on the DTLS thread.</param>
    /// <param name="handshakeTimeout">How long the whole handshake may take, from the first ClientHello wait.</param>
    /// <param name="expectedRemoteFingerprint">The offer's <c>a=fingerprint:sha-256</c> value ("AB:CD:..."); when
    /// given, a client certificate with another SHA-256 fingerprint (or none) fails the handshake.</param>
    /// <param name="logger">Handshake outcomes; null logs nothing.</param>
    public DtlsSrtpServer(
        DtlsCertificate certificate,
        Action<byte[]> send,
        TimeSpan handshakeTimeout,
        string? expectedRemoteFingerprint = null,
        ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(send);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(handshakeTimeout, TimeSpan.Zero);
        _handshakeTimeout = handshakeTimeout;
        _tls = new DtlsSrtpTlsServer(certificate, expectedRemoteFingerprint, handshakeTimeout);
        _queue = new DtlsDatagramQueue(send);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The SHA-256 fingerprint of the certificate the client presented, once it has.</summary>
    public string? RemoteFingerprint => _tls.RemoteFingerprint;

    /// <summary>Datagrams refused before reaching DTLS: not whole DTLS records, or arriving after the end.</summary>
    public long MalformedDatagrams => Interlocked.Read(ref _malformed);

    /// <summary>Datagrams dropped because the DTLS thread fell behind (the oldest queued goes first).</summary>
    public long OverflowedDatagrams => _queue.Overflowed;

    /// <summary>All datagrams dropped for any reason.</summary>
    public long DroppedDatagrams => MalformedDatagrams + OverflowedDatagrams;

    /// <summary>The client closed the association (close_notify or a fatal alert) after the handshake.</summary>
    public bool RemoteClosed => _tls.RemoteClosed;

    /// <summary>
    /// Completes when the DTLS thread has ended: the handshake failed or was cancelled, or after it the client
    /// closed (see <see cref="RemoteClosed"/>: a browser that hangs up says close_notify) or we were disposed.
    /// Never faults.
    /// </summary>
    public Task Closed => _closed.Task;

    /// <summary>
    /// Takes a datagram the demux classified as DTLS (first byte 20-63). Malformed ones are counted and dropped;
    /// never throws on its bytes. Datagrams may arrive before <see cref="HandshakeAsync"/> is called: they wait.
    /// </summary>
    public void OnDatagram(ReadOnlySpan<byte> datagram)
    {
        string? error = DtlsRecordCheck.Validate(datagram);
        if (error is not null)
        {
            long count = Interlocked.Increment(ref _malformed);
            Log.DatagramDropped(_logger, error, count);
            return;
        }

        if (_disposed || !_queue.Enqueue(datagram))
        {
            Interlocked.Increment(ref _malformed);
        }
    }

    /// <summary>
    /// Runs the handshake and returns the SRTP keys. Fails with <see cref="DtlsHandshakeException"/> saying why
    /// (fingerprint mismatch, no common SRTP profile, a fatal alert from the client, the handshake timeout), or is
    /// cancelled by <paramref name="ct"/>. Call once.
    /// </summary>
    public Task<DtlsSrtpKeys> HandshakeAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("HandshakeAsync was already called on this DTLS server");
        }

        if (ct.IsCancellationRequested)
        {
            _queue.StopReceiving();
            return Task.FromCanceled<DtlsSrtpKeys>(ct);
        }

        _cancellation = ct.Register(static state => ((DtlsSrtpServer)state!).Cancel(), this);
        var thread = new Thread(() => Run(ct)) { IsBackground = true, Name = "dtls-srtp" };
        thread.Start();
        return _handshake.Task;
    }

    /// <summary>
    /// Ends the association: after a handshake the DTLS thread sends close_notify within a quarter second and
    /// exits (<c>send</c> may be called until then); during one the handshake is aborted.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _cancellation.Dispose();
        if (!_handshake.Task.IsCompletedSuccessfully)
        {
            _queue.StopReceiving();
        }

        _handshake.TrySetException(new ObjectDisposedException(nameof(DtlsSrtpServer)));
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _closed.TrySetResult();
        }
    }

    private void Cancel()
    {
        if (!_handshake.Task.IsCompleted)
        {
            _queue.StopReceiving();
        }
    }

    /// <summary>The DTLS thread. Catches everything: an exception escaping a thread would end the process.</summary>
    private void Run(CancellationToken ct)
    {
        DtlsTransport transport;
        try
        {
            transport = new DtlsServerProtocol().Accept(_tls, _queue);
        }
        catch (Exception e)
        {
            Fail(e, ct);
            return;
        }

        if (_tls.Keys is not { } keys)
        {
            Fail(new InvalidOperationException("the DTLS handshake completed without exporting SRTP keys"), ct);
            return;
        }

        Log.HandshakeCompleted(_logger, _tls.RemoteFingerprint ?? "none");
        _handshake.TrySetResult(keys);
        Serve(transport);
    }

    private void Fail(Exception e, CancellationToken ct)
    {
        _queue.Close();
        if (ct.IsCancellationRequested)
        {
            _handshake.TrySetCanceled(ct);
        }
        else if (_disposed)
        {
            _handshake.TrySetException(new ObjectDisposedException(nameof(DtlsSrtpServer)));
        }
        else
        {
            string reason = Describe(e);
            Log.HandshakeFailed(_logger, reason);
            _handshake.TrySetException(new DtlsHandshakeException($"DTLS-SRTP handshake failed: {reason}", e));
        }

        _closed.TrySetResult();
    }

    private string Describe(Exception e)
    {
        if (_tls.FailureReason is { } ours)
        {
            return ours;
        }

        if (_tls.AlertReceived is { } alert)
        {
            return $"the client sent a fatal {alert} alert";
        }

        if (e is TlsTimeoutException)
        {
            return $"no complete handshake within {_handshakeTimeout.TotalSeconds:0.###} s";
        }

        return e is TlsFatalAlert fatal
            ? $"{AlertDescription.GetText(fatal.AlertDescription)}: {e.Message}"
            : e.Message;
    }

    /// <summary>
    /// After the handshake: keeps BouncyCastle reading so it can retransmit our last flight when the client
    /// repeats its own, drops application data (no data channels here), and closes on close_notify or dispose.
    /// </summary>
    private void Serve(DtlsTransport transport)
    {
        byte[] buffer = new byte[DtlsDatagramQueue.ReceiveLimit];
        try
        {
            while (!_disposed && !_tls.RemoteClosed)
            {
                transport.Receive(buffer, 0, buffer.Length, PollMillis);
            }

            Log.Closed(_logger, _tls.RemoteClosed ? "the client closed the DTLS association" : "disposed");
            transport.Close();
        }
        catch (Exception e)
        {
            Log.Closed(_logger, e.Message);
        }
        finally
        {
            _queue.Close();
            _closed.TrySetResult();
        }
    }
}
