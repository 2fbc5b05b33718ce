using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace VoiceBridge.Transport;

/// <summary>
/// UDP on a fake clock: sockets bound to endpoints of one in-memory network, a datagram delivered
/// to the socket bound at its destination (dropped when none is, as UDP does). Delivery is
/// immediate; delay, loss and reordering are the sender's to apply (the replay's impairments).
/// </summary>
public sealed class InMemoryDatagramNetwork : IDatagramNetwork
{
    private readonly ConcurrentDictionary<IPEndPoint, Socket> _bound = new();
    private int _nextPort = 40000;

    public IDatagramSocket Bind(IPEndPoint endpoint, int maxDatagramBytes = IDatagramNetwork.MaxDatagramBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDatagramBytes, 1);
        var port = endpoint.Port != 0 ? endpoint.Port : Interlocked.Increment(ref _nextPort);
        var local = new IPEndPoint(endpoint.Address, port);
        var socket = new Socket(this, local, maxDatagramBytes);
        if (!_bound.TryAdd(local, socket))
        {
            throw new SocketException((int)SocketError.AddressAlreadyInUse);
        }

        return socket;
    }

    private void Deliver(ReadOnlySpan<byte> datagram, IPEndPoint from, IPEndPoint to)
    {
        if (_bound.TryGetValue(to, out var target))
        {
            target.Enqueue(datagram, from);
        }
    }

    private sealed class Socket(InMemoryDatagramNetwork network, IPEndPoint local, int maxDatagram) : IDatagramSocket
    {
        private long _oversize;

        private readonly Channel<(byte[] Data, IPEndPoint From)> _inbox = Channel.CreateUnbounded<(byte[], IPEndPoint)>(new UnboundedChannelOptions { SingleReader = true });

        public IPEndPoint LocalEndPoint { get; } = local;

        public long SendErrors { get; private set; }

        public long OversizeDatagrams => Interlocked.Read(ref _oversize);

        public void Send(ReadOnlySpan<byte> datagram, IPEndPoint to)
        {
            if (!network._bound.ContainsKey(LocalEndPoint))
            {
                SendErrors++;
                return;
            }

            network.Deliver(datagram, LocalEndPoint, to);
        }

        public void Enqueue(ReadOnlySpan<byte> datagram, IPEndPoint from)
        {
            if (datagram.Length > maxDatagram)
            {
                Interlocked.Increment(ref _oversize);
                return;
            }

            _inbox.Writer.TryWrite((datagram.ToArray(), from));
        }

        public async Task ReceiveAsync(DatagramHandler onDatagram, CancellationToken cancellationToken)
        {
            try
            {
                while (await _inbox.Reader.WaitToReadAsync(cancellationToken))
                {
                    while (_inbox.Reader.TryRead(out var item))
                    {
                        onDatagram(item.Data, item.From);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        public ValueTask DisposeAsync()
        {
            network._bound.TryRemove(LocalEndPoint, out _);
            _inbox.Writer.TryComplete();
            return ValueTask.CompletedTask;
        }
    }
}
