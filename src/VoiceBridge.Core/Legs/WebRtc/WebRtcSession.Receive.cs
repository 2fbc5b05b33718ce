using System.Net;
using Microsoft.Extensions.Logging;

namespace VoiceBridge.Legs.WebRtc;

public sealed partial class WebRtcSession
{
    /// <summary>One datagram on the session's port, sorted by its first byte (RFC 7983); nothing here throws on its bytes.</summary>
    private void OnDatagram(ReadOnlySpan<byte> datagram, IPEndPoint from)
    {
        switch (PacketDemux.Classify(datagram))
        {
            case PacketKind.Stun:
                OnStun(datagram, from);
                break;
            case PacketKind.Dtls when IsValidated(from):
                _dtlsPeer = from;
                _dtls.OnDatagram(datagram);
                break;
            case PacketKind.Rtp when _transport is { } transport:
                transport.OnSrtp(datagram, from);
                break;
            default:
                if (Interlocked.Increment(ref _droppedDatagrams) <= 10)
                {
                    Log.Dropped(_logger, Id, from.ToString(), datagram.IsEmpty ? -1 : datagram[0]);
                }

                break;
        }
    }

    private void OnStun(ReadOnlySpan<byte> datagram, IPEndPoint from)
    {
        long answered = _agent.Counters.Answered;
        int length = _agent.Handle(datagram, from, _stunResponse);
        if (length > 0)
        {
            _socket.Send(_stunResponse.AsSpan(0, length), from);
        }

        // An address the browser proved it holds our password from may carry DTLS (and so start the call).
        if (_agent.Counters.Answered > answered && !IsValidated(from))
        {
            lock (_validated)
            {
                if (_validated.Count == MaxValidatedAddresses)
                {
                    _validated.RemoveAt(0);
                }

                _validated.Add(from);
            }
        }
    }

    private bool IsValidated(IPEndPoint from)
    {
        lock (_validated)
        {
            return _validated.Contains(from);
        }
    }

    /// <summary>DTLS's own packets go to the ICE-selected address, else to where the handshake came from.</summary>
    private void SendDtls(byte[] datagram)
    {
        if ((_agent.Selected ?? _dtlsPeer) is { } to)
        {
            _socket.Send(datagram, to);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "webrtc session {Id}: call started with the browser at {Remote}, {Codec}")]
        public static partial void CallStarted(ILogger logger, string id, string remote, string codec);

        [LoggerMessage(2, LogLevel.Information, "webrtc session {Id}: call ended; {Received} RTP packets in, {Sent} out, {ConcealedMs} ms concealed, {Unprotected} SRTP/SRTCP packets accepted, {Rejected} rejected")]
        public static partial void CallEnded(ILogger logger, string id, long received, long sent, long concealedMs, long unprotected, long rejected);

        [LoggerMessage(3, LogLevel.Information, "webrtc session {Id}: ending: {Reason}")]
        public static partial void Ending(ILogger logger, string id, string reason);

        [LoggerMessage(4, LogLevel.Information, "webrtc session {Id}: over ({Reason}); {Checks} ICE checks answered, {Dropped} datagrams dropped")]
        public static partial void Ended(ILogger logger, string id, string reason, long checks, long dropped);

        [LoggerMessage(5, LogLevel.Debug, "webrtc session {Id}: dropped a datagram from {From} (first byte {FirstByte}): not STUN, DTLS from a checked address, or SRTP after the handshake")]
        public static partial void Dropped(ILogger logger, string id, string from, int firstByte);
    }
}
