-- wrk script for the points-redemption workload (bench/sales.sh): POST /api/v1/points/redeem of 1
-- point by a random member card with a balance, a new idempotency key per request. A 422 (balance
-- spent) is a correct answer and counted apart by wrk as non-2xx.
-- Environment: PATRON_KEY, CARDS (cards of members with points), STORE (store code), RUN (key prefix).
local counter = 0
function setup(thread)
    thread:set("tid", counter)
    counter = counter + 1
end

function init(args)
    cards = {}
    for l in io.lines(os.getenv("CARDS")) do
        if l ~= "" then cards[#cards + 1] = l end
    end
    store = os.getenv("STORE")
    run = os.getenv("RUN")
    math.randomseed(104729 * (tid + 1))
    seq = 0
    wrk.method = "POST"
    wrk.headers["Authorization"] = "Bearer " .. os.getenv("PATRON_KEY")
    wrk.headers["Content-Type"] = "application/json"
end

function request()
    seq = seq + 1
    local body = string.format('{"idempotencyKey":"%s-%d-%d","cardNumber":"%s","points":1,"storeCode":"%s","reference":"bench"}',
        run, tid, seq, cards[math.random(#cards)], store)
    return wrk.format(nil, nil, nil, body)
end
