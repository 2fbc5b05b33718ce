using System.Net;
using System.Net.Sockets;

namespace VoiceBridge.Transport;

/// <summary>Real UDP sockets.</summary>
public sealed class UdpDatagramNetwork : IDatagramNetwork
{
    public static readonly UdpDatagramNetwork Instance = new();

    public IDatagramSocket Bind(IPEndPoint endpoint, int maxDatagramBytes = IDatagramNetwork.MaxDatagramBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDatagramBytes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxDatagramBytes, IDatagramNetwork.MaxDatagramBytes);
        return new UdpDatagramSocket(endpoint, maxDatagramBytes);
    }

    /// <summary>
    /// One UDP socket. Receiving reuses one buffer and one <see cref="SocketAddress"/>, and keeps the
    /// last sender's <see cref="IPEndPoint"/> while it stays the same, so a steady RTP stream
    /// allocates nothing per packet.
    /// </summary>
    private sealed class UdpDatagramSocket : IDatagramSocket
    {
        private readonly Socket _socket;
        private readonly int _maxDatagram;
        private long _sendErrors;
        private long _oversize;

        public UdpDatagramSocket(IPEndPoint endpoint, int maxDatagram)
        {
            _maxDatagram = maxDatagram;
            _socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            if (OperatingSystem.IsWindows())
            {
                // An ICMP port-unreachable must not end the receive loop (SIO_UDP_CONNRESET).
                _socket.IOControl(unchecked((int)0x9800000C), [0, 0, 0, 0], null);
            }

            _socket.Bind(endpoint);
            LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        }

        public IPEndPoint LocalEndPoint { get; }

        public long SendErrors => Interlocked.Read(ref _sendErrors);

        public long OversizeDatagrams => Interlocked.Read(ref _oversize);

        public void Send(ReadOnlySpan<byte> datagram, IPEndPoint to)
        {
            try
            {
                _socket.SendTo(datagram, SocketFlags.None, to);
            }
            catch (SocketException)
            {
                Interlocked.Increment(ref _sendErrors);
            }
            catch (ObjectDisposedException)
            {
                Interlocked.Increment(ref _sendErrors);
            }
        }

        public async Task ReceiveAsync(DatagramHandler onDatagram, CancellationToken cancellationToken)
        {
            // One byte more than the limit: a datagram that fills it was longer (the kernel truncates it).
            var buffer = new byte[_maxDatagram + 1];
            var address = new SocketAddress(_socket.AddressFamily);
            var last = new SocketAddress(_socket.AddressFamily);
            IPEndPoint? lastEndPoint = null;
            while (!cancellationToken.IsCancellationRequested)
            {
                int n;
                try
                {
                    n = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, address, cancellationToken);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.MessageSize)
                {
                    // An oversized datagram, where the platform reports it (Windows): dropped and counted.
                    Interlocked.Increment(ref _oversize);
                    continue;
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionRefused)
                {
                    // ICMP errors from an earlier send: not the end of the socket.
                    continue;
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException
                    || (e is SocketException s && s.SocketErrorCode == SocketError.OperationAborted))
                {
                    return;
                }

                if (n > _maxDatagram)
                {
                    Interlocked.Increment(ref _oversize);
                    continue;
                }

                if (lastEndPoint is null || !address.Equals(last))
                {
                    lastEndPoint = (IPEndPoint)LocalEndPoint.Create(address);
                    address.Buffer.Span.CopyTo(last.Buffer.Span);
                    last.Size = address.Size;
                }

                onDatagram(buffer.AsSpan(0, n), lastEndPoint);
            }
        }

        public ValueTask DisposeAsync()
        {
            _socket.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
