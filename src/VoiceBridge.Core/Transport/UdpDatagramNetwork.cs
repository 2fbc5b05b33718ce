using System.Net;
using System.Net.Sockets;

namespace VoiceBridge.Transport;

/// <summary>Real UDP sockets.</summary>
public sealed class UdpDatagramNetwork : IDatagramNetwork
{
    public static readonly UdpDatagramNetwork Instance = new();

    public IDatagramSocket Bind(IPEndPoint endpoint) => new UdpDatagramSocket(endpoint);

    /// <summary>
    /// One UDP socket. Receiving reuses one buffer and one <see cref="SocketAddress"/>, and keeps the
    /// last sender's <see cref="IPEndPoint"/> while it stays the same, so a steady RTP stream
    /// allocates nothing per packet.
    /// </summary>
    private sealed class UdpDatagramSocket : IDatagramSocket
    {
        private const int MaxDatagram = 65535;
        private readonly Socket _socket;
        private long _sendErrors;

        public UdpDatagramSocket(IPEndPoint endpoint)
        {
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
            var buffer = new byte[MaxDatagram];
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
                catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionRefused or SocketError.MessageSize)
                {
                    // ICMP errors from an earlier send, or an oversized datagram: not the end of the socket.
                    continue;
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException
                    || (e is SocketException s && s.SocketErrorCode == SocketError.OperationAborted))
                {
                    return;
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
